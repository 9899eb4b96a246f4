import { DomainError } from '../src/common/problem';

/** The DomainError `act` throws; anything else, or nothing, fails the test. */
export function thrownBy(act: () => unknown): DomainError {
  try {
    act();
  } catch (error) {
    if (error instanceof DomainError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a DomainError, nothing was thrown');
}

/** The DomainError the promise rejects with. */
export async function rejectionOf(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a DomainError, the promise resolved');
}

/** What the promise resolves to, or the DomainError it rejects with; anything else fails the test. */
export async function settled<T>(promise: Promise<T>): Promise<T | DomainError> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof DomainError) {
      return error;
    }
    throw error;
  }
}
