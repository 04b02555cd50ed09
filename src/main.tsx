import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { warmUpMarkdown } from './app/markdown.ts';
import { createServices } from './app/services.ts';
import { ServicesContext } from './app/ServicesContext.ts';
import './app/app.css';

const services = createServices();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ServicesContext.Provider value={services}>
      <QueryClientProvider client={services.queryClient}>
        <App />
      </QueryClientProvider>
    </ServicesContext.Provider>
  </StrictMode>,
);
warmUpMarkdown();

// The service worker makes the app shell available offline. Production only: in development it
// would serve stale modules. API and socket traffic never goes through its caches.
if (import.meta.env.PROD && 'serviceWorker' in navigator) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((error: unknown) => {
      console.warn('Service worker registration failed', error);
    });
  });
}
