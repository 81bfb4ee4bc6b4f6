import { useEffect, useRef, type ReactNode } from 'react';
import { useParams } from 'react-router';

/**
 * One client-area page: sets the document title and moves focus to the page heading when the
 * page opens, so keyboard and screen-reader users start at the top of the new content.
 */
export function PortalPage({
  title,
  intro,
  children,
}: {
  title: string;
  intro?: ReactNode;
  children?: ReactNode;
}) {
  const h1 = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Client Area`;
    h1.current?.focus();
  }, [title]);
  return (
    <section className="portal-page">
      <h1 ref={h1} tabIndex={-1}>
        {title}
      </h1>
      {intro ? <p className="portal-page__intro">{intro}</p> : null}
      {children}
    </section>
  );
}

/** The `:serviceId` route parameter as a number (NaN when it is not one). */
export function useServiceId(): number {
  const { serviceId } = useParams();
  return /^\d+$/.test(serviceId ?? '') ? Number(serviceId) : NaN;
}
