import { KeyholdError } from '../../../shared/errors.js';
import { formatTag } from '../ttlv/errors.js';

/**
 * A message that decodes as TTLV but is not a well-formed KMIP message: a missing header, a Batch
 * Count that does not match, a field of the wrong type. Result Reason "Invalid Message" (or
 * "Invalid Field" for a field's value), as the server answers it.
 */
export class MessageError extends KeyholdError {
  /** The tag of the structure or field at fault. */
  readonly tag: number | undefined;

  constructor(description: string, tag?: number, reason: 'Invalid Message' | 'Invalid Field' = 'Invalid Message') {
    super('kmip', tag === undefined ? description : `${description} (${formatTag(tag)})`, { reason });
    this.name = 'MessageError';
    this.tag = tag;
  }
}
