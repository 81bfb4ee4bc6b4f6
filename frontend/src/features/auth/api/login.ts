import { useMutation } from '@tanstack/react-query';
import type { paths } from '@/api/schema';
import { api, unwrap } from '@/lib/api-client';
import { setSession } from '@/lib/session';

type LoginBody = paths['/api/v1/auth/login']['post']['requestBody']['content']['application/json'];

/** POST /api/v1/auth/login: exchanges staff credentials for a JWT. */
export async function login(body: LoginBody) {
  return unwrap(api.POST('/api/v1/auth/login', { body }));
}

/** Signs in and stores the session on success. */
export function useLogin() {
  return useMutation({
    mutationFn: login,
    onSuccess: (data) => {
      if (!data.token) throw new Error('The service answered without a token.');
      setSession({ token: data.token, expiresAt: data.expires_at, admin: data.admin });
    },
  });
}
