// The tab's long-lived services, handed to components through one context.
import { createContext, useContext } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import type { LiveTurnStore } from '../core/liveTurns.ts';
import type { IdbThreadStore } from '../storage/idbThreadStore.ts';
import type { BrokerClient } from './brokerClient.ts';
import type { ValueStore } from './valueStore.ts';

export interface Services {
  /** This page load's id (crypto.randomUUID()), sent with hello / openThread / startTurn. */
  tabId: string;
  /** RPC to the broker; survives the broker's death (calls pending then fail, see brokerLink). */
  broker: BrokerClient;
  threads: IdbThreadStore;
  live: LiveTurnStore;
  queryClient: QueryClient;
  /** The thread now on screen (null: none): the broker is told, and its running turn is shown
   *  from a snapshot plus the live stream. Cheap to call again for the same thread. */
  openThread(threadId: string | null): void;
  /** Tells other tabs that the thread list (and maybe one thread) changed here. */
  announceThreadChange(threadId: string): void;
  /** The app version of another open tab that differs from this one, or null. */
  otherVersion: ValueStore<string | null>;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices() outside <ServicesContext.Provider>');
  return services;
}
