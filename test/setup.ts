// Printed once per worker so a CI log shows which Node ran the suite (the project pins 24).
if (!process.env.REDIS_UPGRADER_NODE_REPORTED) {
  process.env.REDIS_UPGRADER_NODE_REPORTED = '1';
  console.log(`tests running on node ${process.version}`);
}
