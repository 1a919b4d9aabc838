package io.deadbolt.client;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Runs tasks one after another, in submission order, on an executor that may run them concurrently. */
final class SerialExecutor implements Executor {
    private final Executor executor;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    SerialExecutor(Executor executor) {
        this.executor = executor;
    }

    @Override
    public void execute(Runnable task) {
        synchronized (tasks) {
            tasks.add(task);
            if (running) {
                return;
            }
            running = true;
        }
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            drain();
        }
    }

    private void drain() {
        while (true) {
            Runnable task;
            synchronized (tasks) {
                task = tasks.poll();
                if (task == null) {
                    running = false;
                    return;
                }
            }
            try {
                task.run();
            } catch (Throwable failure) {
                // The tasks behind it must still run: another drain takes over, and this one ends with
                // the failure, as the executor would have it.
                handOver();
                throw failure;
            }
        }
    }

    private void handOver() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            synchronized (tasks) {
                running = false;
            }
        }
    }
}
