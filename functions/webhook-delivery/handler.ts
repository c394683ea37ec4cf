/**
 * Lambda entry of webhook-delivery: one message = one signed attempt of one delivery
 * (#usecases/deliver-webhook.ts), retries as delayed messages on its own queue. No Kubernetes
 * client in this bundle: the core ports and signing, which reads Secrets Manager on first use.
 */
import { buildWebhookDeliveryDeps } from '#adapters/aws/aws-webhook-deps.ts';
import { consumerLambda } from '#adapters/aws/lambda-consumer.ts';
import { WEBHOOK_DELIVERY_ROW } from '#usecases/rows/webhook-delivery.ts';

export const handler = consumerLambda('webhook-delivery', WEBHOOK_DELIVERY_ROW, buildWebhookDeliveryDeps);
