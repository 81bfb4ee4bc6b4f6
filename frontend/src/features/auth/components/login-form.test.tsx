import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '@/lib/api-error';
import { LoginForm, type Credentials } from './login-form';

/** Drives the form like its route does: each submit fails with the given error. */
function Harness({
  onSubmit,
  expired = false,
}: {
  onSubmit: (c: Credentials) => void;
  expired?: boolean;
}) {
  const [attempt, setAttempt] = useState(0);
  const [error, setError] = useState<unknown>(null);
  return (
    <LoginForm
      expired={expired}
      pending={false}
      error={error}
      attempt={attempt}
      onSubmit={(c) => {
        onSubmit(c);
        setAttempt((a) => a + 1);
        setError(
          new ApiError(401, { code: 'unauthorized', message: 'Invalid email or password.' }),
        );
      }}
    />
  );
}

describe('LoginForm', () => {
  it('starts with focus on the email field', () => {
    render(<Harness onSubmit={vi.fn()} />);
    expect(screen.getByLabelText(/email/i)).toHaveFocus();
  });

  it('requires both fields and focuses the first invalid one', async () => {
    const onSubmit = vi.fn();
    const user = userEvent.setup();
    render(<Harness onSubmit={onSubmit} />);

    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByLabelText(/email/i)).toHaveFocus();
    expect(screen.getByLabelText(/email/i)).toHaveAccessibleDescription(
      'Enter your email address.',
    );

    await user.type(screen.getByLabelText(/email/i), 'a@example.com');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByLabelText(/password/i)).toHaveFocus();
    expect(screen.getByLabelText(/password/i)).toHaveAccessibleDescription('Enter your password.');
    expect(onSubmit).not.toHaveBeenCalled();
  });

  it('submits trimmed credentials; on failure shows the message, focuses it, clears the password', async () => {
    const onSubmit = vi.fn();
    const user = userEvent.setup();
    render(<Harness onSubmit={onSubmit} />);

    await user.type(screen.getByLabelText(/email/i), '  a@example.com ');
    await user.type(screen.getByLabelText(/password/i), 'pw');
    await user.keyboard('{Enter}');

    expect(onSubmit).toHaveBeenCalledWith({ email: 'a@example.com', password: 'pw' });
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Invalid email or password.');
    expect(alert).toHaveFocus();
    expect(screen.getByLabelText(/password/i)).toHaveValue('');

    // A second failure clears the password again and re-focuses the message.
    await user.type(screen.getByLabelText(/password/i), 'pw2');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(onSubmit).toHaveBeenCalledTimes(2);
    expect(screen.getByLabelText(/password/i)).toHaveValue('');
    expect(screen.getByRole('alert')).toHaveFocus();
  });

  it('says why the user is here after an expired session', () => {
    render(<Harness onSubmit={vi.fn()} expired />);
    expect(screen.getByRole('status')).toHaveTextContent(
      'Your session has expired. Please sign in again.',
    );
  });
});
