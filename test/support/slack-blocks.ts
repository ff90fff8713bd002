/** The checklist step buttons in a Slack message's blocks, in order: what a person could click. */
export function stepButtons(blocks: any[]): Array<{ actionId: string; value: string; label: string }> {
  return blocks
    .filter((b) => b.accessory?.action_id?.startsWith('step.'))
    .map((b) => ({ actionId: b.accessory.action_id, value: b.accessory.value, label: b.accessory.text.text }));
}
