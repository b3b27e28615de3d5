/** Copies text and clears the clipboard after a delay, so a copied secret does not linger. */
export const clipboardClearSeconds = 30;

let pending: ReturnType<typeof setTimeout> | undefined;

export async function copyWithClear(
  text: string,
  seconds = clipboardClearSeconds,
  clipboard: Pick<Clipboard, 'writeText'> = navigator.clipboard,
): Promise<void> {
  await clipboard.writeText(text);
  if (pending !== undefined) clearTimeout(pending);
  pending = setTimeout(() => {
    pending = undefined;
    void clipboard.writeText('').catch(() => undefined);
  }, seconds * 1000);
}
