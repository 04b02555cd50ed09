// The tab's side of the broker's tasks (../core/brokerMessages.ts TaskCall / TaskReply): the
// broker asks over the same port the tab calls it on, and each task gets one taskResult. The
// link (brokerLink.ts) serves tasks on every connection it makes, from before its hello.
import type { TaskCall, TaskReply } from '../core/brokerMessages.ts';
import type { JsRunner } from '../core/tools/toolContract.ts';
import type { Endpoint } from './brokerClient.ts';

/** What the tab does for the broker. */
export interface BrokerTaskHandlers {
  /** Runs run_js code off the broker's thread (jsRunnerHost.ts). */
  runJs: JsRunner;
}

export interface BrokerTaskServer {
  /** Stops listening; tasks still running are not answered (their broker is gone). */
  close(): void;
}

function isTaskCall(data: unknown): data is TaskCall {
  return typeof data === 'object' && data !== null && (data as { kind?: unknown }).kind === 'task' && typeof (data as { id?: unknown }).id === 'number';
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export function serveBrokerTasks(endpoint: Endpoint, handlers: BrokerTaskHandlers): BrokerTaskServer {
  let closed = false;

  async function perform(call: TaskCall): Promise<TaskReply> {
    try {
      switch (call.task) {
        case 'runJs':
          return { kind: 'taskResult', id: call.id, ok: true, result: await handlers.runJs.run(call.code, call.limits) };
        default:
          return { kind: 'taskResult', id: call.id, ok: false, error: `this tab does not know the task "${String((call as { task: unknown }).task)}"` };
      }
    } catch (error) {
      return { kind: 'taskResult', id: call.id, ok: false, error: errorText(error) };
    }
  }

  const onMessage = (event: MessageEvent) => {
    const call = event.data;
    if (!isTaskCall(call)) return;
    void perform(call).then((reply) => {
      if (closed) return;
      try {
        endpoint.postMessage(reply);
      } catch {
        // The port is gone with its broker; a new broker asks again if it needs to.
      }
    });
  };
  endpoint.addEventListener('message', onMessage);

  return {
    close() {
      closed = true;
      endpoint.removeEventListener('message', onMessage);
    },
  };
}
