// Three-phase commit's drawing: the commit family's shared drawing with 3PC's
// message styles (www/draw/commit.js).
import { threePc } from './commit.js';

export default threePc;
