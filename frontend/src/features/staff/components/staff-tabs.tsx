import { NavLink } from 'react-router';

/** The two halves of the Staff section. */
export function StaffTabs() {
  return (
    <nav className="tabs" aria-label="Staff sections">
      <NavLink end to="/staff" className="tabs__tab">
        Administrators
      </NavLink>
      <NavLink to="/staff/roles" className="tabs__tab">
        Roles
      </NavLink>
    </nav>
  );
}
