/** The KMIP server panel's calls. The KMIP server service is not part of this build yet. */
import type { Handlers } from './router.js';

export function serverHandlers(): Handlers {
  return {
    'server.status': () => ({ available: false, running: false, clients: [], connections: [], requestLog: [] }),
  };
}
