// The book's own script (Jupyter Book includes every .js file in _static/).
//
// Toggle bars (solutions and other dropdowns): sphinx-exercise titles a solution
// "Solution to <a href="#ex-...">Exercise N</a>", and sphinx-togglebutton opens it when
// its title bar is clicked. A click on the link text (or any other markup inside the
// title) did not open it: togglebutton's handler finds no button for that element and
// throws, and the link jumped to the exercise instead. Such a click now neither follows
// the link nor reaches that handler; it presses the bar's own toggle button, so a click
// anywhere on the bar opens or closes the solution.
document.addEventListener(
  "click",
  (event) => {
    const title = event.target.closest(".admonition.toggle > .admonition-title");
    if (!title || event.target === title || event.target.closest(".toggle-button")) {
      return;
    }
    const button = title.querySelector(".toggle-button");
    if (!button) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    button.click();
  },
  true,
);
