import { ProfileForm } from '@/portal/features/profile/components/profile-form';
import { PortalPage } from './portal-page';

export function PortalProfileRoute() {
  return (
    <PortalPage title="Manage Profile" intro="Your name and the email address you sign in with.">
      <ProfileForm />
    </PortalPage>
  );
}
