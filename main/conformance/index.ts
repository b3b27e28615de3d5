export { runTestCase, formatResults, type FileResult, type Transport } from './runner.js';
export { compareItems, substitute, type Captures } from './compare.js';
