import { useEffect } from 'react';
import { useBlocker } from 'react-router';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';

/**
 * Guards unsaved edits: in-app navigation is held by the router's blocker (answered by
 * <UnsavedChangesPrompt>), closing or reloading the tab by the browser's beforeunload prompt.
 */
export function useUnsavedChanges(dirty: boolean) {
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      dirty &&
      (currentLocation.pathname !== nextLocation.pathname ||
        currentLocation.search !== nextLocation.search),
  );

  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      // preventDefault() is what current browsers need to show their "leave site?" prompt.
      e.preventDefault();
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
    };
  }, [dirty]);

  return blocker;
}

/** The "leave without saving?" question for a blocked navigation. */
export function UnsavedChangesPrompt({ blocker }: { blocker: ReturnType<typeof useBlocker> }) {
  if (blocker.state !== 'blocked') return null;
  return (
    <ConfirmDialog
      title="Discard unsaved changes?"
      confirmLabel="Leave without saving"
      onConfirm={() => {
        blocker.proceed();
      }}
      onCancel={() => {
        blocker.reset();
      }}
    >
      <p>You have changes that are not saved. If you leave this page they are lost.</p>
    </ConfirmDialog>
  );
}
