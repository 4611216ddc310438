package org.checkpointgateway.context;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A cancellation's listeners: each runs once when it fires, unless taken back first. */
class CancellationTest {

  @Test
  void everyListenerNotTakenBackRunsOnceWhicheverWasTakenBack() {
    for (int takenBack = 0; takenBack < 3; takenBack++) {
      Cancellation cancellation = new Cancellation();
      List<String> ran = new ArrayList<>();
      List<Runnable> takeBacks = new ArrayList<>();
      for (String name : List.of("a", "b", "c")) {
        takeBacks.add(cancellation.listen(() -> ran.add(name)));
      }
      takeBacks.get(takenBack).run();
      cancellation.fire();
      cancellation.fire();
      List<String> expected = new ArrayList<>(List.of("a", "b", "c"));
      expected.remove(takenBack);
      assertThat(ran).as("taken back: %d", takenBack).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aListenerAfterTheFiringRunsAtOnceAndOneActionTwiceIsTwoListeners() {
    Cancellation cancellation = new Cancellation();
    List<String> ran = new ArrayList<>();
    Runnable twice = () -> ran.add("twice");
    cancellation.listen(twice);
    Runnable second = cancellation.listen(twice);
    cancellation.listen(() -> ran.add("new"));
    // Taking back the second registration of one action leaves the first.
    second.run();
    cancellation.fire();
    assertThat(ran).containsExactly("twice", "new");
    cancellation.listen(() -> ran.add("late"));
    assertThat(ran).containsExactly("twice", "new", "late");
  }
}
