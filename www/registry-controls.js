// The side panel's controls that come from the registry rather than from
// the page: for the protocol on screen, its client operations, commands and
// membership changes (commands.js) and its variants and parameters
// (params.js). Each rebuilds itself when a run of another protocol or size loads.
import { ParamsPanel } from './params.js';
import { CommandsPanel } from './commands.js';

/** Builds them in `mount`; `hooks.show(null)` clears the page's message line when one of them starts or changes the run. */
export function setupRegistryControls(lab, mount, hooks) {
  new CommandsPanel(lab, mount, hooks);
  new ParamsPanel(lab, mount, hooks);
}
