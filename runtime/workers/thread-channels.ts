import type { ChannelReader, ChannelWriter } from '../channels/channel.js';

/** A channel between two threads, as plain data: each thread opens its end from it. */
export interface ThreadChannelDescriptor {
  readonly name: string;
  readonly capacity: number;
}

/** What a thread-channel module exports (runtime/channels/thread-channel.ts): `Channel`'s semantics across threads. */
export interface ThreadChannelModule {
  createThreadChannel(capacity: number, name: string): ThreadChannelDescriptor;
  openThreadChannelWriter(descriptor: ThreadChannelDescriptor): ChannelWriter & { close(): void };
  openThreadChannelReader(descriptor: ThreadChannelDescriptor): ChannelReader & { close(): void };
}

/** The runtime's thread channels, loaded by URL so that the main thread and every worker load the same module. */
export const THREAD_CHANNEL_MODULE = new URL('../channels/thread-channel.js', import.meta.url).href;

export async function loadThreadChannels(specifier: string): Promise<ThreadChannelModule> {
  return (await import(specifier)) as ThreadChannelModule;
}
