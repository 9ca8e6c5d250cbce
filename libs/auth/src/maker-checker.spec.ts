import { describe, expect, it } from 'vitest';
import { samePerson } from './maker-checker';

const key = (owner: string, ...mintedByOwners: string[]) => ({ owner, mintedByOwners });

describe('samePerson', () => {
  it('is one person for one owner, whatever the keys', () => {
    expect(samePerson(key('person:alice'), key('person:alice', 'bootstrap-admin'))).toBe(true);
  });

  it('is one person when either key was minted, through any chain, from the other’s owner', () => {
    expect(samePerson(key('person:alice'), key('person:mallory', 'person:alice'))).toBe(true);
    expect(samePerson(key('person:trent', 'person:alice', 'person:mallory'), key('person:alice'))).toBe(true);
  });

  it('is two people for two owners minted by a third', () => {
    expect(samePerson(key('person:alice', 'bootstrap-admin'), key('person:bob', 'bootstrap-admin'))).toBe(
      false,
    );
  });
});
