import { Injectable } from '@nestjs/common';
import { previewProration } from '@revline/revenue';
import type { ProrationPreview } from '@revline/revenue';
import type { ProrationPreviewRequest } from './proration-preview.schema';
import { withFieldProblems } from './revenue-problems';

/**
 * The charge and credit lines of a mid-period change under a proration convention, itemised the way the
 * billing platform itemises them, with the net. Pure: nothing is stored.
 */
@Injectable()
export class PreviewProration {
  execute(request: ProrationPreviewRequest): ProrationPreview {
    return withFieldProblems(() => previewProration(request.change, request.convention), 'change');
  }
}
