import type { FunctionSignatures, ProcessStateDeclaration } from '../../compiler/functions/registry.js';
import { BIGINT, STRING } from '../../compiler/types/sql-type.js';

/** Process functions `watch` and `track` over a BIGINT argument, each keeping the state given. */
export function processFunctions(state: readonly ProcessStateDeclaration[]): FunctionSignatures {
  return {
    processes: ['watch', 'track'].map((name) => ({ name, args: [BIGINT], output: 'input' as const, state })),
  };
}

export const LAST_PRICE: ProcessStateDeclaration = { name: 'last', kind: 'value', valueType: [{ name: 'price', type: BIGINT, nullable: true }] };
export const PRICES: ProcessStateDeclaration = { name: 'last', kind: 'list', valueType: [{ name: 'price', type: BIGINT, nullable: true }] };
export const BY_CHANNEL: ProcessStateDeclaration = {
  name: 'seen',
  kind: 'map',
  mapKeyType: [{ name: 'channel', type: STRING, nullable: true }],
  valueType: [{ name: 'n', type: BIGINT, nullable: false }],
};
export const BY_BIDDER: ProcessStateDeclaration = { ...BY_CHANNEL, mapKeyType: [{ name: 'bidder', type: BIGINT, nullable: true }] };
