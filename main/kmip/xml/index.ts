export { parseKmipXml, parseKmipXmlItem, type XmlParseOptions } from './parse.js';
export { writeKmipXml, valueText as itemValueText, type XmlWriteOptions } from './write.js';
export {
  isPlaceholder,
  samplePlaceholders,
  type PlaceholderMap,
  type PlaceholderRequest,
  type PlaceholderResolver,
} from './placeholders.js';
