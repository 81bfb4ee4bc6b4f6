import '@testing-library/jest-dom/vitest';
import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';
import { clearSession } from '@/lib/session';

// findBy*/waitFor wait for an outcome, not for a deadline: Testing Library's default of 1 s
// fails pages whose lazy chunk takes longer to import on a busy machine. The test timeout
// (vite.config.ts) still ends a test that never gets there.
configure({ asyncUtilTimeout: 20_000 });

afterEach(() => {
  cleanup();
  clearSession(null);
  sessionStorage.clear();
});
