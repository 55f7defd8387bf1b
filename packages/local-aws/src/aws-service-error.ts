/**
 * An error the local AWS emulators answer with. `type` is the AWS error shape name
 * (`ResourceNotFoundException`…): it travels in `x-amzn-errortype` and `__type`, which is how the
 * real SDK picks the exception class to throw.
 */
export class AwsServiceError extends Error {
  readonly type: string;
  readonly status: number;

  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = 'AwsServiceError';
    this.type = type;
    this.status = status;
  }
}

export const resourceNotFound = (message: string) => new AwsServiceError('ResourceNotFoundException', message);
export const resourceExists = (message: string) => new AwsServiceError('ResourceExistsException', message);
export const invalidRequest = (message: string) => new AwsServiceError('InvalidRequestException', message);
export const invalidParameter = (message: string) => new AwsServiceError('InvalidParameterException', message);
