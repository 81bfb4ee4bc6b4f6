import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Schema } from '@/api/types';
import { api, unwrap } from '@/lib/api-client';
import { applicationKeys } from './keys';

export type LinkInput = Schema<'rest.LinkInput'>;

/**
 * PUT /api/v1/applications/{module}/links with the complete list. When the application is
 * enabled the answer carries the queued configuration operation (202).
 */
export function useUpdateApplicationLinks(module: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (links: LinkInput[]) =>
      unwrap(
        api.PUT('/api/v1/applications/{module}/links', {
          params: { path: { module } },
          body: links,
        }),
      ),
    onSuccess: (answer) => {
      qc.setQueryData(applicationKeys.links(module), answer.links);
      return Promise.all([
        qc.invalidateQueries({ queryKey: applicationKeys.status(module) }),
        qc.invalidateQueries({ queryKey: applicationKeys.list() }),
        qc.invalidateQueries({ queryKey: applicationKeys.operations }),
      ]);
    },
  });
}
