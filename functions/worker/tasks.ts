// Placeholder until the stream worker lands: the DynamoDB stream handler of export/import tasks.
export const handler = async (): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> => ({ batchItemFailures: [] });
