export type * from './span.js';
export type * from './types.js';
export type * from './expressions.js';
export type * from './steps.js';
export type * from './statements.js';
export { spanBetween } from './span.js';
export { subExpressions } from './sub-expressions.js';
