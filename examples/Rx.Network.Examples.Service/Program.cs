using Rx.Network.Examples.Service;

// rxnet-service: an Rx.Network node behind a small HTTP API (see ServiceApp and the README).
await ServiceApp.Build(args).RunAsync();
