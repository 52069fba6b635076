import type { NexmarkQuery } from '../../../bench/nexmark/queries.js';
import type { NexmarkEvents, Rows } from './events.js';
import { q0 } from './q0.js';
import { q1 } from './q1.js';
import { q2 } from './q2.js';
import { q3 } from './q3.js';
import { q4 } from './q4.js';
import { q5 } from './q5.js';
import { q7 } from './q7.js';
import { q8 } from './q8.js';

/** Every query's reference, for checks that run over all of them. */
export const REFERENCES: Readonly<Record<NexmarkQuery, (events: NexmarkEvents) => Rows>> = { q0, q1, q2, q3, q4, q5, q7, q8 };
