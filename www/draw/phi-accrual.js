// How the φ accrual detector looks: as heartbeat (www/draw/heartbeat.js),
// with each peer's bar showing φ against the threshold instead of the time
// since its last heartbeat against a fixed timeout.
import { t } from '../i18n.js';

export { messageStyles, messageStyle, split, drawDetail, drawNode, emptyHint, hintAction, describe, messageFields } from './heartbeat.js';

export const milestoneLegend = t('phi.milestone');
