// Two-phase commit's drawing: the commit family's shared drawing with 2PC's
// message styles (www/draw/commit.js).
import { twoPc } from './commit.js';

export default twoPc;
