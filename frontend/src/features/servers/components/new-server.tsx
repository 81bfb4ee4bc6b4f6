import { useCreateServer } from '../api/create-server';
import { ServerForm } from './server-form';

/** The "Add server" form. */
export function NewServer({
  onCreated,
  onCancel,
}: {
  onCreated: (id: number) => void;
  onCancel: () => void;
}) {
  const create = useCreateServer();
  return (
    <ServerForm
      submitting={create.isPending}
      error={create.error}
      onCancel={onCancel}
      onSubmit={(sub) => {
        if (sub.mode !== 'create') return;
        create.mutate(sub.input, {
          onSuccess: (server) => {
            onCreated(server.id);
          },
        });
      }}
    />
  );
}
