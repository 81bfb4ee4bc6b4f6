import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { useLogin } from '@/features/auth/api/login';
import { LoginForm } from '@/features/auth/components/login-form';
import { safeNext, useStaffSession } from '@/lib/auth';

/** /login: staff sign-in; `?expired=1` explains why, `?next=` is where to continue. */
export function LoginRoute() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const session = useStaffSession();
  const login = useLogin();
  const next = safeNext(params.get('next'));

  if (session && !login.isSuccess) {
    return <Navigate to={next} replace />;
  }

  return (
    <div className="login-page">
      <main className="login-page__card">
        <LoginForm
          expired={params.get('expired') === '1'}
          pending={login.isPending}
          error={login.error}
          attempt={login.submittedAt}
          onSubmit={(credentials) => {
            login.mutate(credentials, {
              onSuccess: () => {
                void navigate(next, { replace: true });
              },
            });
          }}
        />
      </main>
    </div>
  );
}
