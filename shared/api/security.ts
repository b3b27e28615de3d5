/**
 * The Content-Security-Policy of every page Keyhold shows, in the desktop window and in the web
 * console: only our own scripts and styles, no inline script, no eval, no remote content, no
 * framing, no form posts. API calls go to our own origin only.
 */
export const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** The one IPC channel the desktop window's API calls travel on. */
export const apiChannel = 'keyhold:call';
