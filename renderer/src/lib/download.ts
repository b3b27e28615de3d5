/** Saves an exported file through the browser's download, then drops the bytes. */
import type { ExportedFile } from '../../../shared/api/index.js';

export function saveFile(file: ExportedFile): void {
  const bytes = Uint8Array.from(atob(file.data), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: file.mediaType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  a.click();
  bytes.fill(0);
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
