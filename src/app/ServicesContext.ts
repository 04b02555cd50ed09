// The tab's long-lived services, handed to components through one context.
import { createContext, useContext } from 'react';
import type { QueryClient } from '@tanstack/react-query';
import type { LiveTurnStore } from '../core/liveTurns.ts';
import type { BrokerClient } from './brokerClient.ts';
import type { ReadableThreadStore } from './queries.ts';

export interface Services {
  /** This page load's id (crypto.randomUUID()), sent with hello / openThread / startTurn. */
  tabId: string;
  broker: BrokerClient;
  threads: ReadableThreadStore;
  live: LiveTurnStore;
  queryClient: QueryClient;
  /** Calls the broker's `openThread` once per thread per page. */
  openThread(threadId: string): void;
  /** Tells other tabs that the thread list (and maybe one thread) changed here. */
  announceThreadChange(threadId: string): void;
}

export const ServicesContext = createContext<Services | null>(null);

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices() outside <ServicesContext.Provider>');
  return services;
}
