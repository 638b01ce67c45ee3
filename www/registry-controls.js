// The side panel's controls that come from the registry rather than from
// the page, for the protocol on screen: one short row of buttons, "Rules…"
// opening a dialog with its variants and parameters (params.js), and one
// button for each of its key-value client, commands and membership changes
// that opens that form below the row (commands.js). Each rebuilds itself
// when a run of another protocol or size loads.
import { ParamsPanel } from './params.js';
import { CommandsPanel } from './commands.js';
import { el } from './forms.js';

/** Builds them in `mount`; `hooks.show(null)` clears the page's message line when one of them starts or changes the run. */
export function setupRegistryControls(lab, mount, hooks) {
  const row = el('div', { class: 'row wrap tools-row' });
  const forms = el('div', { class: 'tools-forms' });
  mount.append(row, forms);
  const rules = new ParamsPanel(lab, mount, hooks);
  row.append(rules.opener);
  new CommandsPanel(lab, row, forms, hooks);
}
