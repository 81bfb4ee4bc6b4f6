import { forwardRef, type ReactNode } from 'react';

export interface AlertProps {
  tone?: 'error' | 'warning' | 'info' | 'success';
  title?: string;
  children: ReactNode;
  /** Live announcement: errors interrupt (alert), the rest are polite (status). */
  live?: boolean;
}

/** A message box. Focusable (tabIndex -1) so forms can move focus to it after a failure. */
export const Alert = forwardRef<HTMLDivElement, AlertProps>(function Alert(
  { tone = 'info', title, children, live = true },
  ref,
) {
  const role = live ? (tone === 'error' ? 'alert' : 'status') : undefined;
  return (
    <div ref={ref} className={`alert alert--${tone}`} role={role} tabIndex={-1}>
      {title ? <p className="alert__title">{title}</p> : null}
      <div className="alert__body">{children}</div>
    </div>
  );
});
