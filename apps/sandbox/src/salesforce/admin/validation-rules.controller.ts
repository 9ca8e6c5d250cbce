import { Body, Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { DomainError } from '@revline/http';
import { OrgStore } from '../org/org-store';
import { fieldDef, objectDef } from '../org/schema';
import type { ValidationRule } from '../org/validation-rules';

/** The org's validation rules, as an admin adds them in Setup: what makes Salesforce refuse a write. */
@ApiTags('sandbox')
@Controller('sandbox/validation-rules')
export class ValidationRulesController {
  constructor(private readonly store: OrgStore) {}

  @Get()
  @ApiOperation({ summary: 'The validation rules in force' })
  list(): readonly ValidationRule[] {
    return this.store.validationRules.all;
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Adds a rule: a write setting `field` of `object` is refused with FIELD_CUSTOM_VALIDATION_EXCEPTION and `message`',
  })
  add(@Body() body: unknown): readonly ValidationRule[] {
    const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const { object, field, message } = input;
    const def = typeof object === 'string' ? objectDef(object) : undefined;
    if (!def)
      throw new DomainError(400, `object must name an sObject of the org, was ${JSON.stringify(object)}`);
    if (typeof field !== 'string' || !fieldDef(def, field))
      throw new DomainError(400, `field must name a field of ${def.name}, was ${JSON.stringify(field)}`);
    if (typeof message !== 'string' || message.trim() === '')
      throw new DomainError(400, 'message must be the error message the rule shows');
    this.store.validationRules.add({ object: def.name, field, message });
    return this.store.validationRules.all;
  }

  @Delete()
  @ApiOperation({ summary: 'Removes every validation rule' })
  clear(): readonly ValidationRule[] {
    this.store.validationRules.clear();
    return this.store.validationRules.all;
  }
}
