// Writes www/stories/index.json, the stories menu: every story scenario in
// www/stories/<protocol>/ with its title and caption, protocols in the page's
// order and stories in the order a reader should meet them.
import fs from 'node:fs';
import path from 'node:path';
import { root } from './run.mjs';

const dir = path.join(root, 'www', 'stories');

const PROTOCOL_ORDER = ['raft', 'paxos', 'multi-paxos', '2pc', '3pc'];
const STORY_ORDER = [
  'first-election', 'leader-crash', 'follower-catch-up', 'split-vote', 'partition-heal', 'figure8-safe', 'figure8-unsafe', 'full-restart',
  'one-proposer', 'competing-proposers', 'prior-accepted-value-wins', 'partition-no-majority', 'dueling-livelock', 'dueling-backoff', 'dueling-distinguished',
  'stable-leader', 'leader-crash-noops',
  'all-yes-commit', 'one-no-abort', 'coordinator-crash-blocks', 'participant-crash-abort', 'coordinator-crash-no-block', 'crash-after-precommit-commits', 'partition-splits-decision',
];

const rank = (list, x) => (list.includes(x) ? list.indexOf(x) : list.length);

export function writeStoriesIndex() {
  const stories = [];
  for (const protocol of fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
    for (const file of fs.readdirSync(path.join(dir, protocol)).filter((f) => f.endsWith('.json'))) {
      const doc = JSON.parse(fs.readFileSync(path.join(dir, protocol, file), 'utf8'));
      const slug = file.replace(/\.json$/, '');
      stories.push({ protocol: doc.protocol, slug, path: `${protocol}/${file}`, title: doc.title ?? slug, caption: doc.caption ?? '' });
    }
  }
  stories.sort((a, b) => rank(PROTOCOL_ORDER, a.protocol) - rank(PROTOCOL_ORDER, b.protocol)
    || rank(STORY_ORDER, a.slug) - rank(STORY_ORDER, b.slug) || a.slug.localeCompare(b.slug));
  fs.writeFileSync(path.join(dir, 'index.json'), `${JSON.stringify(stories, null, 1)}\n`);
  return stories;
}
