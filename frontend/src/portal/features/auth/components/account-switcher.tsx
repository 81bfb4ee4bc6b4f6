import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { errorMessage } from '@/lib/api-error';
import type { PortalMe } from '@/portal/lib/get-me';
import { useSwitchAccount } from '../api/switch-account';

/**
 * The account switcher of the "Hello, Name!" menu, for users on several accounts: a labelled
 * select and a Switch button (no change of account just by moving through the options).
 */
export function AccountSwitcher({ me, onSwitched }: { me: PortalMe; onSwitched?: () => void }) {
  const id = useId();
  const sw = useSwitchAccount();
  const accounts = me.accounts;
  const currentId = me.current_account.id;
  const [choice, setChoice] = useState<number | undefined>(currentId);
  if (accounts.length < 2) return null;
  return (
    <form
      className="portal-switcher"
      onSubmit={(e) => {
        e.preventDefault();
        if (choice === undefined || choice === currentId) return;
        sw.mutate(choice, { onSuccess: () => onSwitched?.() });
      }}
    >
      <label htmlFor={id} className="portal-switcher__label">
        Account
      </label>
      <select
        id={id}
        className="input"
        value={choice ?? ''}
        onChange={(e) => {
          setChoice(Number(e.target.value));
        }}
      >
        {accounts.map((a) => (
          <option key={a.id} value={a.id}>
            {a.name}
            {a.owner ? ' (owner)' : ''}
          </option>
        ))}
      </select>
      <Button type="submit" size="sm" busy={sw.isPending} disabled={choice === currentId}>
        Switch account
      </Button>
      {sw.isError ? (
        <p role="alert" className="field__error">
          {errorMessage(sw.error)}
        </p>
      ) : null}
    </form>
  );
}
