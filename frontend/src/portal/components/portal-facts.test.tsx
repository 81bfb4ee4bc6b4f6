import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { PortalFacts } from './portal-facts';

describe('PortalFacts', () => {
  it('renders each term over its value, in order', () => {
    const { container } = render(
      <PortalFacts
        facts={[
          ['Username', 'acme'],
          ['Status', <strong key="s">Active</strong>],
        ]}
      />,
    );
    const pairs = [...container.querySelectorAll('dl.portal-facts > div')].map((d) => [
      d.querySelector('dt')?.textContent,
      d.querySelector('dd')?.textContent,
    ]);
    expect(pairs).toEqual([
      ['Username', 'acme'],
      ['Status', 'Active'],
    ]);
    expect(screen.getByText('Active').tagName).toBe('STRONG');
  });
});
