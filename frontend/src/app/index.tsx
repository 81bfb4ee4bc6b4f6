import { useState } from 'react';
import { AppProvider } from './provider';
import { createAppRouter } from './router';

/** The whole SPA: staff dashboard at /, client area at /portal. */
export function App() {
  const [router] = useState(createAppRouter);
  return <AppProvider router={router} />;
}
