// Keeps the full-screen panel inside the visible part of the page on phones,
// so the on-screen keyboard never covers the composer. The visual viewport's
// height and offset are copied into CSS variables used by the phone layout.

export function followViewport(el) {
  const vv = window.visualViewport;
  if (!vv) return () => {};
  let frame = 0;
  function apply() {
    frame = 0;
    el.style.setProperty("--pl-vh", Math.round(vv.height) + "px");
    el.style.setProperty("--pl-vt", Math.round(vv.offsetTop) + "px");
  }
  function schedule() {
    if (!frame) frame = requestAnimationFrame(apply);
  }
  apply();
  el.classList.add("vv");
  vv.addEventListener("resize", schedule);
  vv.addEventListener("scroll", schedule);
  return () => {
    cancelAnimationFrame(frame);
    vv.removeEventListener("resize", schedule);
    vv.removeEventListener("scroll", schedule);
    el.classList.remove("vv");
  };
}
