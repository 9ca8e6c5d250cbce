import { Injectable } from '@nestjs/common';
import { DomainError } from '@revline/http';
import type { KeyOwnership, Principal } from './api-keys.service';
import { ApiKeys } from './api-keys.service';

export const MAKER_CHECKER_PROBLEM = 'https://docs.revline.dev/problems/maker-checker';

/**
 * Whether one person may stand behind both keys: the same owner, or either key minted (through any chain of keys)
 * by the other's owner, who saw the key when it was minted.
 */
export function samePerson(a: KeyOwnership, b: KeyOwnership): boolean {
  return a.owner === b.owner || a.mintedByOwners.includes(b.owner) || b.mintedByOwners.includes(a.owner);
}

/** The rule of every action that needs two people: the checker is not the maker, whatever key either used. */
@Injectable()
export class MakerChecker {
  constructor(private readonly keys: ApiKeys) {}

  /** Refuses (403, its own problem type) when the maker's key and the checker's stand for the same person. */
  async assertSecondPerson(makerKeyId: string | null, checker: Principal, what: string): Promise<void> {
    const maker = makerKeyId ? await this.keys.ownership(makerKeyId) : null;
    if (maker && !samePerson(maker, checker)) return;
    throw new DomainError(
      403,
      maker
        ? `${what} was made by ${maker.owner}, and this key is ${checker.owner}'s or was minted from theirs: another person must check it (maker-checker)`
        : `${what} was not made with a known API key, so no second person can be told apart: it cannot be checked (maker-checker)`,
      undefined,
      { type: MAKER_CHECKER_PROBLEM },
    );
  }
}
