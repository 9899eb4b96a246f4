import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';

import { ApiProblems } from './api-problems.decorator';
import { DomainError, ErrorCode, PROBLEM_TYPES, problemCodeForSlug } from './problem';
import { Public } from './public-route';

const ProblemTypeResponse = z
  .object({
    code: z.enum(ErrorCode).describe('The `code` member of problem documents of this type.'),
    status: z.number().int().describe('HTTP status answered with this problem.'),
    title: z.string().describe('Short summary.'),
    description: z.string().describe('What the problem means and what the caller can do about it.'),
  })
  .meta({ id: 'ProblemType', description: 'The documentation a problem `type` URI resolves to.' });

const ProblemTypeParams = z.strictObject({
  type: z
    .string()
    .regex(/^[a-z-]{1,64}$/)
    .describe('The last segment of a problem `type` URI, e.g. `validation-failed`.'),
});

@Public()
@ApiTags('problems')
@Controller('problems')
export class ProblemsController {
  @Get(':type')
  @ApiOperation({
    summary: 'Describe a problem type',
    description: "Every problem document's `type` URI resolves here.",
  })
  @ApiOkResponse({ standardSchema: ProblemTypeResponse })
  @ApiProblems(400, 404)
  describe(
    @Param({ schema: ProblemTypeParams }) params: z.infer<typeof ProblemTypeParams>,
  ): z.infer<typeof ProblemTypeResponse> {
    const code = problemCodeForSlug(params.type);
    if (!code) {
      throw new DomainError(ErrorCode.ProblemTypeNotFound, `"${params.type}" is not a problem type of this service.`);
    }
    return { code, ...PROBLEM_TYPES[code] };
  }
}
