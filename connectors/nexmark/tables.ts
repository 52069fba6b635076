import { BIGINT, STRING, TIMESTAMP3, type Field, type SqlType } from '../../compiler/types/sql-type.js';

/** The three Nexmark tables (../shared/docs/NEXMARK.md) with snake_case columns; generated values are never NULL. */
export type NexmarkTable = 'person' | 'auction' | 'bid';

const column = (name: string, type: SqlType): Field => ({ name, type, nullable: false });

export const NEXMARK_TABLES: Readonly<Record<NexmarkTable, readonly Field[]>> = {
  person: [
    column('id', BIGINT),
    column('name', STRING),
    column('email_address', STRING),
    column('credit_card', STRING),
    column('city', STRING),
    column('state', STRING),
    column('date_time', TIMESTAMP3),
    column('extra', STRING),
  ],
  auction: [
    column('id', BIGINT),
    column('item_name', STRING),
    column('description', STRING),
    column('initial_bid', BIGINT),
    column('reserve', BIGINT),
    column('date_time', TIMESTAMP3),
    column('expires', TIMESTAMP3),
    column('seller', BIGINT),
    column('category', BIGINT),
    column('extra', STRING),
  ],
  bid: [
    column('auction', BIGINT),
    column('bidder', BIGINT),
    column('price', BIGINT),
    column('channel', STRING),
    column('url', STRING),
    column('date_time', TIMESTAMP3),
    column('extra', STRING),
  ],
};
