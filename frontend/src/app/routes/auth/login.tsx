import { useState } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { LoginForm } from '@/features/auth/components/login-form';
import { safeNext, useStaffSession } from '@/lib/auth';

/**
 * /login: staff sign-in; `?expired=1` explains why, `?next=` is where to continue.
 * The submit is wired to POST /api/v1/auth/login together with the first generated API
 * schema (docs/swagger.json does not exist yet).
 */
export function LoginRoute() {
  const [params] = useSearchParams();
  const session = useStaffSession();
  const [attempt, setAttempt] = useState(0);
  const next = safeNext(params.get('next'));

  if (session) {
    return <Navigate to={next} replace />;
  }

  return (
    <div className="login-page">
      <main className="login-page__card">
        <LoginForm
          expired={params.get('expired') === '1'}
          pending={false}
          error={attempt > 0 ? new Error('Sign-in is not available yet.') : null}
          attempt={attempt}
          onSubmit={() => {
            setAttempt((a) => a + 1);
          }}
        />
      </main>
    </div>
  );
}
