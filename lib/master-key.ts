import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Length of the generated master key; alphanumeric, so it pastes cleanly into a header. */
const masterKeyLength = 48;

/** The master key for admin routes: a generated secret whose whole string is the key. */
export class MasterKey extends Construct {
  public readonly secret: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: 'Tollway master key: send it as a Bearer token to the admin routes (/key/*, /team/*, /spend/*).',
      generateSecretString: {
        passwordLength: masterKeyLength,
        excludePunctuation: true,
        includeSpace: false,
      },
    });
  }
}
