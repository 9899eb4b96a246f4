import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import type { StandardSchemaV1 } from '@standard-schema/spec';

import './zod-messages';

import { invalidFieldsError, toFieldErrors } from './field-errors';
import type { FieldError } from './problem';

/** The pipe's refusal, for services that check fields the schema cannot (framework-free code imports it from field-errors). */
export { invalidFields } from './field-errors';

const LOCATIONS: Partial<Record<ArgumentMetadata['type'], FieldError['in']>> = {
  body: 'body',
  query: 'query',
  param: 'path',
};

/** Validates body, query and path parameters against the zod schema given in `@Body({ schema })` etc. */
@Injectable()
export class RequestValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const schema = metadata.schema as StandardSchemaV1 | undefined;
    const location = LOCATIONS[metadata.type];
    if (!schema || !location) {
      return value;
    }
    const result = await schema['~standard'].validate(value);
    if (result.issues) {
      throw invalidFieldsError(location, toFieldErrors(location, result.issues));
    }
    return result.value;
  }
}
