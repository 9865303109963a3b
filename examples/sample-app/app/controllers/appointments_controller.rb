class AppointmentsController < ApplicationController
  def index
    @appointments = Appointment.where(clinic_id: params[:clinic_id]).order(:starts_at)
  end

  def show
    @appointment = Appointment.includes(:patient, :doctor).find(params[:id])
  end

  def create
    @appointment = Appointment.new(appointment_params)
    if @appointment.save
      redirect_to @appointment
    else
      render :new, status: :unprocessable_entity
    end
  end

  private

  def appointment_params
    params.require(:appointment).permit(:patient_id, :doctor_id, :clinic_id, :starts_at)
  end
end
